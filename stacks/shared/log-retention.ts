/** The retention periods (days) CloudWatch Logs accepts, as input enum values. */
export const LOG_RETENTION_DAYS = ["1", "3", "5", "7", "14", "30", "60", "90", "180", "365", "731", "1827", "3653"] as const;

/** A `log_retention_days` input's choices: `auto` (the template says what it follows) or a period. */
export const LOG_RETENTION_CHOICES = ["auto", ...LOG_RETENTION_DAYS] as const;
