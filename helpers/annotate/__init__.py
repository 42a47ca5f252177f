"""Annotation: the codebook, hand codings, detectors, measures, reliability, consensus and the Study."""
