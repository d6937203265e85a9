from django.urls import path

from coparent.agreements import views

app_name = "agreements"

# Mounted under families/<uuid:family_id>/agreement/ by coparent/urls.py.
urlpatterns = [
    path("", views.agreement_page, name="agreement"),
    path("library/", views.library_page, name="library"),
    path("propose/", views.propose_page, name="propose"),
    path("print/", views.print_page, name="print"),
    path("agreement.pdf", views.pdf_download, name="pdf"),
    path("clauses/<uuid:clause_id>/", views.clause_page, name="clause"),
    path("clauses/<uuid:clause_id>/amend/", views.amend_page, name="amend"),
    path("versions/<uuid:version_id>/sign/", views.sign_action, name="sign"),
    path("versions/<uuid:version_id>/decline/", views.decline_action, name="decline"),
    path("versions/<uuid:version_id>/withdraw/", views.withdraw_action, name="withdraw"),
]
