-- The pipeline's database. Its name is a parameter so tests can use a unique one.
CREATE DATABASE IF NOT EXISTS {{ db }};
