/**
 * Jobs on a cluster: event-sourced, sharded job masters ({@link dev.millrace.runtime.cluster.JobMasterEntity}),
 * operator instances as sharded entities placed into workers' task slots by external shard allocation
 * ({@link dev.millrace.runtime.cluster.TaskEntity}, {@link dev.millrace.runtime.cluster.TaskSlots}), job
 * definitions that travel by class name ({@link dev.millrace.runtime.cluster.JobDefinition}) and the API to
 * submit, list, describe and cancel jobs ({@link dev.millrace.runtime.cluster.JobCluster}).
 */
package dev.millrace.runtime.cluster;
