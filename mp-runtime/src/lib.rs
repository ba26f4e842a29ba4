//! AWS Marketplace metering for paid containers.
