//! One integration suite, run against SQLite and PostgreSQL: each test starts a real server on a free
//! port over its own fresh database.

mod helpers;

mod access;
mod accounts;
mod audit;
mod bad_input;
mod batch;
mod browser;
mod calendar;
mod choosers;
mod cli;
mod cookies;
mod data_folder;
mod disk_full;
mod feedback;
mod feeds;
mod flow;
mod gen;
mod indexes;
mod jobs;
mod lists;
mod money;
mod money_contracts;
mod money_pages;
mod money_rules;
mod openapi_doc;
mod outage;
mod pages;
mod pool;
mod privacy;
mod procurement;
mod procurement_law;
mod procurement_pages;
mod public_project;
mod records;
mod sealed;
mod serving;
mod sessions;
mod sign_in;
mod statistics;
mod statistics_sql;
mod upgrade;
mod visibility;
mod webdriver;
mod words;
