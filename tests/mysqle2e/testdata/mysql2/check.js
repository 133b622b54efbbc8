// Exercises mysql2 (the driver under TypeORM) against a server:
// connect, query, execute (prepared, binary protocol), multi-statements,
// transactions, errors. Usage: node check.js PORT   (mysql2 on NODE_PATH)
const mysql = require('mysql2/promise');

async function main() {
  const port = Number(process.argv[2]);
  const conn = await mysql.createConnection({
    host: '127.0.0.1', port, user: 'root', multipleStatements: true, dateStrings: true,
  });
  const out = [];
  await conn.query('DROP DATABASE IF EXISTS e2e_mysql2; CREATE DATABASE e2e_mysql2; USE e2e_mysql2');
  await conn.query(`CREATE TABLE icash (
    no INT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
    user_no INT UNSIGNED UNIQUE NOT NULL,
    icash INT UNSIGNED DEFAULT 0 NOT NULL,
    note VARCHAR(50) NULL)`);
  const [ins] = await conn.execute('INSERT INTO icash (user_no, icash, note) VALUES (?, ?, ?), (?, ?, ?)',
    [1, 1000, 'first', 2, 2000, null]);
  out.push(`insert affected=${ins.affectedRows} insertId=${ins.insertId}`);
  const [rows] = await conn.execute('SELECT no, user_no, icash, note FROM icash WHERE icash >= ? ORDER BY no', [500]);
  out.push('execute ' + JSON.stringify(rows));
  const [rows2] = await conn.query('SELECT no, icash FROM icash WHERE user_no = ?', [2]);
  out.push('query ' + JSON.stringify(rows2));
  await conn.beginTransaction();
  await conn.execute('UPDATE icash SET icash = icash - ? WHERE user_no = ?', [300, 1]);
  await conn.rollback();
  const [[after]] = await conn.query('SELECT icash FROM icash WHERE user_no = 1');
  out.push('after rollback ' + after.icash);
  try {
    await conn.execute('INSERT INTO icash (user_no) VALUES (?)', [1]);
  } catch (e) {
    out.push(`error ${e.code} ${e.errno} ${e.sqlState}`);
  }
  const [multi] = await conn.query('SELECT 1 AS a; SELECT 2 AS b');
  out.push('multi ' + JSON.stringify(multi));
  await conn.query('DROP DATABASE e2e_mysql2');
  await conn.end();
  console.log(out.join('\n'));
}

main().catch((e) => { console.error(e); process.exit(1); });
