"""Compatibility shim: the rules live in :mod:`kinerja_skp.domain.validation`."""

from __future__ import annotations

from .validation import Finding, Report, ValidationContext, validate

__all__ = ["Finding", "Report", "ValidationContext", "validate"]
