"""The web app (``kehoach serve``): agencies enter their results, clerks follow the reporting.

Django gives accounts, sessions, CSRF protection, forms, migrations and its Vietnamese texts;
waitress serves it on Windows and Linux alike. Below the views, everything is the command
line's own code: the model, the checks, the evaluation and the results store.
"""
