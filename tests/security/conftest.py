"""Review fixtures (published catalogs, a catalog under acceptance) for the security tests."""

from tests.review.conftest import accepting, all_published, campaign, milestones

__all__ = ["accepting", "all_published", "campaign", "milestones"]
