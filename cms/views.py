"""The open-data downloads: the award register as a 360Giving JSON package, CSV and XLSX."""

from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from . import open_data


def _download(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response


@require_GET
def awards_json(request):
    response = JsonResponse(open_data.package(), json_dumps_params={"ensure_ascii": False, "indent": 2})
    return _download(response, "sahulat-awards-360giving.json")


@require_GET
def awards_csv(request):
    return _download(HttpResponse(open_data.csv_bytes(), content_type="text/csv; charset=utf-8"), "sahulat-awards.csv")


@require_GET
def awards_xlsx(request):
    response = HttpResponse(
        open_data.xlsx_bytes(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return _download(response, "sahulat-awards.xlsx")
