"""Sub-commands of the ``runform`` command line, one module each."""
