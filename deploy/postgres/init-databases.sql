-- One database per service (a service never reads another service's database).
CREATE DATABASE kinerja_skp;
CREATE DATABASE kinerja_approval;
CREATE DATABASE kinerja_evaluation;
CREATE DATABASE kinerja_notification;
CREATE DATABASE kinerja_directory;
