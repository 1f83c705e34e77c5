from ninja import NinjaAPI

api = NinjaAPI(title="civicloop API", version="1", urls_namespace="api")
