-- One PostgreSQL server, two databases: renkei's warehouse and Prefect's own state.
CREATE DATABASE renkei;
CREATE DATABASE prefect;
