"""Industrial symbiosis: the knowledge base of typical exchanges, candidate matches with their reasons, the
optimised exchange network and water reuse."""
