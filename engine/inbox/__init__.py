"""Each user's notices (the page's inbox), case comments with mentions, and the mail outbox."""
