from eipkit.cli import main

main()
