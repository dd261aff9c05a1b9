/**
 * The {@code millrace} subcommands (picocli). Client commands talk to a node only through kafka-clients' Admin,
 * Producer and Consumer; failures they can explain become a {@link dev.millrace.deploy.cli.CommandFailedException}
 * with a one-line message and exit code 1 (2 for usage and configuration errors).
 */
package dev.millrace.deploy.cli;
