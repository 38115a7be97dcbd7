"""Live tracking pages: committed changes wake the streams of the pages that show them."""
