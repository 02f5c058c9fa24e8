/**
 * Backup and disaster recovery: the backup bucket (AWS S3 or MinIO on the platform), the backup and
 * restore-drill schedules, and the pure builders behind them.
 */
export * from "./bucket";
export * from "./bucket-policy";
export * from "./backups";
export * from "./minio";
export * from "./schedules";
