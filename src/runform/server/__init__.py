"""``runform serve``: a self-hosted coach server; athletes upload, the analysis runs by itself.

The pieces, each in its own module: the settings (:mod:`.config`), the
database schema (:mod:`.models`, migrated with Alembic from
:mod:`runform.server.migrations`), the database engine and sessions
(:mod:`.database`). The web application and the job workers build on them.
"""
