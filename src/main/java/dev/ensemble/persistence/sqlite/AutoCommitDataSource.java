package dev.ensemble.persistence.sqlite;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

/**
 * The pool's source of SQLite connections whose transactions end back in auto-commit mode. vertx-jdbc-client 5.0.x
 * sets a connection's auto-commit to false again right after a commit or rollback (vert-x3/vertx-jdbc-client#356,
 * fixed after 5.0.10), and sqlite-jdbc, outside auto-commit, begins the next transaction at once: with
 * {@code transaction_mode=IMMEDIATE} the pool's connection would hold the file's write lock from its first
 * transaction on (no other connection could write), and its later statements outside a transaction would stay
 * uncommitted until some later transaction's commit. Here a commit or rollback is followed by a return to
 * auto-commit, and the library's {@code setAutoCommit(false)} right after it is ignored.
 *
 * <p>Each connection's flag is touched only by the pool's thread running that connection's current action.
 */
final class AutoCommitDataSource implements DataSource {

  private final String url;

  AutoCommitDataSource(String url) {
    this.url = url;
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection connection = DriverManager.getConnection(url);
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        new EndsInAutoCommit(connection));
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return getConnection();
  }

  private static final class EndsInAutoCommit implements InvocationHandler {
    private final Connection connection;
    /** A transaction just ended and the connection went back to auto-commit. */
    private boolean justEnded;

    EndsInAutoCommit(Connection connection) {
      this.connection = connection;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      String name = method.getName();
      int arity = args == null ? 0 : args.length;
      if (name.equals("setAutoCommit") && arity == 1) {
        boolean wasJustEnded = justEnded;
        justEnded = false;
        if (wasJustEnded && !((Boolean) args[0])) {
          return null;
        }
      } else if ((name.equals("commit") || name.equals("rollback")) && arity == 0) {
        justEnded = false;
        call(method, args);
        connection.setAutoCommit(true);
        justEnded = true;
        return null;
      }
      return call(method, args);
    }

    private Object call(Method method, Object[] args) throws Throwable {
      try {
        return method.invoke(connection, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
  }

  @Override
  public void setLoginTimeout(int seconds) {
  }

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    throw new SQLException("not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return false;
  }
}
