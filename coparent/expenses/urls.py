from django.urls import path

from coparent.expenses import views

app_name = "expenses"

# Mounted under families/<uuid:family_id>/expenses/ by coparent/urls.py.
urlpatterns = [
    path("", views.expense_list_page, name="list"),
    path("new/", views.expense_add_page, name="add"),
    path("balance/", views.balance_page, name="balance"),
    path("year/", views.year_page, name="year"),
    path("payments/", views.payments_page, name="payments"),
    path("payments/<uuid:payment_id>/confirm/", views.confirm_action, name="confirm"),
    path("payments/<uuid:payment_id>/correct/", views.payment_correct_page, name="payment_correct"),
    path(
        "payments/<uuid:payment_id>/withdraw/",
        views.payment_withdraw_action,
        name="payment_withdraw",
    ),
    path("statement/", views.statement_page, name="statement"),
    path("statement.csv", views.statement_csv, name="statement_csv"),
    path("statement.pdf", views.statement_pdf, name="statement_pdf"),
    path("year.csv", views.year_csv, name="year_csv"),
    path("year.pdf", views.year_pdf, name="year_pdf"),
    path("receipts/<uuid:receipt_id>/", views.receipt_page, name="receipt"),
    path("requests/<uuid:request_id>/answer/", views.answer_action, name="answer"),
    path("<uuid:expense_id>/", views.expense_detail_page, name="detail"),
    path("<uuid:expense_id>/ask/", views.ask_action, name="ask"),
    path("<uuid:expense_id>/correct/", views.expense_correct_page, name="correct"),
    path("<uuid:expense_id>/withdraw/", views.expense_withdraw_action, name="withdraw"),
    path("<uuid:expense_id>/stop-repeating/", views.stop_repeat_action, name="stop_repeat"),
]
