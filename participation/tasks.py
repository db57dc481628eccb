"""The participation app's scheduled job lives in portal.tasks
(``portal.tasks.forget_participation_personal_data``): it reads the province's retention
period, which the inquiries app keeps, and participation may not import inquiries."""
