"""Public (citizen-facing) URLs of the matters app, mounted at the site root in the "site"
namespace (portal.site_urls): name them "matters_..."."""

urlpatterns: list = []
