"""aidoffice — the core of 学校资助办助手: domain rules, persistence and services. Never imports Qt."""

__version__ = "0.1.0"
