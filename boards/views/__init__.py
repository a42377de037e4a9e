"""Pages of the boards app: thin views over ``boards.services`` and ``boards.selectors``."""
