from orchestrator.cli.quick import main

main()
