"""A plan whose data cannot be read, or a folder another run holds, is a page, never a server error."""

from __future__ import annotations

from click import ClickException
from django.shortcuts import render


class UserErrorPage:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            # a form's address opened as a page (require_POST answers with an empty body)
            return render(request, "web/message.html", {"title": "Địa chỉ này chỉ nhận biểu mẫu", "text": (
                "Địa chỉ này dùng để gửi biểu mẫu, không mở như một trang. Hãy quay lại trang trước.")}, status=405)
        return response

    def process_exception(self, request, exc):
        if not isinstance(exc, ClickException):
            return None
        # an agency is told that the plan is being fixed; the clerk sees what to fix
        text = ("Dữ liệu kế hoạch đang được văn thư sửa; hãy thử lại sau." if request.path.startswith("/co-quan/")
                else exc.format_message())
        return render(request, "web/message.html", {"title": "Chưa làm được", "text": text, "pre": True},
                      status=503)
