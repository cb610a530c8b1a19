from .catalogue import Bundle, Service, ServiceDocument, ServiceQuestion
from .requests import (
    CLOCK_STATES,
    OPEN_STATES,
    Certificate,
    RequestDocument,
    RequestMessage,
    RequestSequence,
    RequestState,
    ServiceRequest,
)

__all__ = [
    "CLOCK_STATES",
    "OPEN_STATES",
    "Bundle",
    "Certificate",
    "RequestDocument",
    "RequestMessage",
    "RequestSequence",
    "RequestState",
    "Service",
    "ServiceDocument",
    "ServiceQuestion",
    "ServiceRequest",
]
