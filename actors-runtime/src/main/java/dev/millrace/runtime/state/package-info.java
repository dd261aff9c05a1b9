/**
 * Keyed state: descriptors and handles, the heap backend organized by key group, key-group assignment, and
 * the pluggable snapshot serializer (Kryo by default).
 */
package dev.millrace.runtime.state;
