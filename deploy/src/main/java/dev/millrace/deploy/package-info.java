/**
 * The node launcher, the {@code millrace} command line, configuration and the distribution.
 */
package dev.millrace.deploy;
