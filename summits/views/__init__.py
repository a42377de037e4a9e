"""Pages of the summits app: thin views over ``summits.services`` and ``summits.selectors``."""
