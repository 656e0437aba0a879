"""Local adapters: SQLite, files, the outbox and SMTP. Never imported by a Lambda."""
