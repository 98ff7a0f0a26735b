"""eipkit: eco-industrial parks from tenants' yearly records to a ministry's results table."""

__version__ = "0.1.0"
