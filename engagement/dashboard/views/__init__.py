"""Pages of the dashboard app: the executive dashboard and board pack (``board``), a person's
own work (``work``) and the global search (``search``)."""
