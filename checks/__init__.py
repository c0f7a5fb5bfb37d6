"""Built-in checks: one rule per module, registered through the same hook as third-party checks."""
from shenbao import hookimpl

from .amount_below_minimum import AmountBelowMinimum
from .applicant_duplicate import ApplicantDuplicate
from .audit_code_missing import AuditCodeMissing
from .credit_code_invalid import CreditCodeInvalid
from .credit_query_date import CreditQueryDate
from .date_out_of_window import DateOutOfWindow
from .field_blank import FieldBlank
from .file_unreadable import FileUnreadable
from .investment_below_threshold import InvestmentBelowThreshold
from .invoice_reused import InvoiceReused
from .lender_outside_region import LenderOutsideRegion
from .material_missing import MaterialMissing
from .name_mismatch import NameMismatch
from .page_illegible import PageIllegible
from .perforation_seal_missing import PerforationSealMissing
from .registration_age import RegistrationAge
from .registration_region import RegistrationRegion
from .seal_missing import SealMissing
from .signature_ink import SignatureInk
from .signature_missing import SignatureMissing
from .sum_mismatch import SumMismatch

BUILTIN_CHECKS = [
    MaterialMissing, FileUnreadable, PageIllegible, CreditCodeInvalid, NameMismatch, RegistrationAge,
    CreditQueryDate, AuditCodeMissing, DateOutOfWindow, AmountBelowMinimum, InvestmentBelowThreshold,
    SumMismatch, FieldBlank, SealMissing, PerforationSealMissing, SignatureMissing, SignatureInk, RegistrationRegion,
    LenderOutsideRegion, InvoiceReused, ApplicantDuplicate,
]


@hookimpl
def shenbao_add_checks():
    return BUILTIN_CHECKS
