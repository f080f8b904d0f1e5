"""Build glue for the book: run snippets, cache their artefacts, resolve references.

Modules, in the order data flows through them:

- ``deps``       what a snippet depends on (its imports, data files, library versions)
- ``artefacts``  the ``Book`` object a snippet's ``main(book)`` receives
- ``runner``     the worker process that imports torch once and runs snippets
- ``engine``     discovers snippets, decides what is stale, runs it, installs the
                 results atomically, finds orphans
- ``references`` expands ``{{fact:…}}``, ``{{figure:…}}``, ``{{table:…}}`` in pages
- ``quizzes``    checks ``<quiz>`` blocks before mkdocs-quiz sees them
- ``quizlint``   reports answer-position and answer-length bias per page (a command)
- ``checkpoints`` checks that a checkpoint shows its question and folds its answer
- ``pageassets`` drops KaTeX from built pages that have no maths
- ``workspace``  copies the book's sources elsewhere (tests, the build benchmark)

The MkDocs side is ``scripts/book_hook.py``; it only calls into these modules.
"""


class BookError(Exception):
    """A problem a contributor must fix; the message names the file and line."""
