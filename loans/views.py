from django.http import Http404


def _todo(request, **kwargs):
    raise Http404


portal_loans = calculator = portal_loan = portal_statement = loan_book = request_disbursement = _todo
collection_upload = collection_confirm = loan_page = staff_statement = post_repayment = reverse_repayment = _todo
restructure = write_off = _todo
