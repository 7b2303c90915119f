"""nl-entities: Dutch news articles in, people/places/organisations Parquet tables out."""

__version__ = "0.2.0"
