/**
 * {@code millrace demo}'s data: realistic card payments from a seeded generator.
 */
package dev.millrace.deploy.demo;
