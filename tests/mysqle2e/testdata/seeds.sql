-- The seeds' schema (001, the isolation-level article) and DML on it.
DROP DATABASE IF EXISTS e2e_seeds;
CREATE DATABASE e2e_seeds;
USE e2e_seeds;
CREATE TABLE icash (
no INT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
user_no INT UNSIGNED UNIQUE NOT NULL,
icash INT UNSIGNED DEFAULT 0 NOT NULL,
created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL,
updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP NOT NULL
);
CREATE TABLE icash_transaction (
no INT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
icash_no INT UNSIGNED NOT NULL,
amount INT UNSIGNED NOT NULL,
type ENUM('GRANT', 'USE', 'REFUND') NOT NULL,
referenced_transaction_no INT NULL COMMENT '환불 시 트랜잭션 번호',
created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL,
INDEX idx_icash_no (icash_no),
INDEX idx_type (type)
);
CREATE TABLE user (
no INT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
id VARCHAR(100) NOT NULL,
created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
);
INSERT INTO user (id) VALUES ('alice'), ('bob');
INSERT INTO icash (user_no, icash) VALUES (1, 10000), (2, 10000);
INSERT INTO icash_transaction (icash_no, amount, type) VALUES (1, 1000, 'GRANT'), (1, 500, 'USE'), (2, 300, 'GRANT');
INSERT INTO icash_transaction (icash_no, amount, type, referenced_transaction_no) VALUES (1, 500, 'REFUND', 2);
UPDATE icash SET icash = icash - 500 WHERE user_no = 1;
SELECT no, user_no, icash FROM icash ORDER BY no;
SELECT type, COUNT(*), SUM(amount) FROM icash_transaction GROUP BY type ORDER BY type;
SELECT u.id, i.icash FROM user u JOIN icash i ON i.user_no = u.no ORDER BY u.id;
START TRANSACTION;
UPDATE icash SET icash = 0 WHERE no = 2;
ROLLBACK;
SELECT icash FROM icash WHERE no = 2;
DELETE FROM icash_transaction WHERE type = 'USE';
SELECT COUNT(*) FROM icash_transaction;
SELECT no, referenced_transaction_no FROM icash_transaction WHERE referenced_transaction_no IS NOT NULL;
SELECT no, type FROM icash_transaction WHERE icash_no = 1 ORDER BY no;
SHOW TABLES;
DROP DATABASE e2e_seeds;
