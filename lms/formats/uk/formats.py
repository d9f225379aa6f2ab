# Ukrainian dates read best with the month in the genitive: «29 листопада 2026».
DATE_FORMAT = "j E Y"
DATETIME_FORMAT = "j E Y, H:i"
SHORT_DATETIME_FORMAT = "j E Y, H:i"
