"""What the merchant learns from the facts ordertrack keeps: delivery figures, ratings joined to
what happened, and "where is my order" contacts (issue 22). A use case: it reads every feature."""
