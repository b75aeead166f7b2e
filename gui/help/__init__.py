"""Help pages: the numbered equations."""
