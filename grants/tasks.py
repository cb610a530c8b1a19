"""Grants' scheduled tasks. They take ids (or nothing) and are idempotent."""

from celery import shared_task


@shared_task(acks_late=True)
def close_finished_fiscal_year() -> str:
    """Beat, on 1 July (Asia/Karachi): close the fiscal year that has just ended. A second delivery or
    a rerun finds the year closed and does nothing (grants.services.year_end)."""
    from .services.year_end import finished_fiscal_year, fiscal_year_close

    report = fiscal_year_close(fiscal_year=finished_fiscal_year(), actor="Scheduler (1 July year-end close)")
    if report.already_closed is not None:
        return f"{report.fiscal_year.label} was already closed."
    return (
        f"{report.fiscal_year.label} closed: {len(report.lines)} awards, lapsed {report.lapsed}, "
        f"carried forward {report.carried_forward}."
    )
