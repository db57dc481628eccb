"""The year's assessment (目标责任制评估): a 0–3 grid per item, scores per region, dashboards."""
