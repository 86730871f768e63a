"""The production entry point: `gunicorn 'web.wsgi:app'` (never seeds anything).

The schema comes from `reglament init-db`, regulations from `reglament deploy`, staff from
`reglament user add`, deadlines from `reglament worker` running beside it (README.md).
"""

from web import create_app

app = create_app()
