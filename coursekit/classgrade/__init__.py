"""Grade a whole class with nbgrader, in parallel."""
