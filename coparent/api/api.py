from ninja import NinjaAPI

api = NinjaAPI(title="Coparent API", version="1", urls_namespace="api")
