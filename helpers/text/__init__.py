"""German text: tokens, quote marks, lemmas, segmentation and boilerplate cleaning. Imports nothing above it."""
