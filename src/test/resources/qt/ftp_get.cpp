// ftp_get BASE_URL OUT_DIR NAME... : downloads BASE_URL/NAME for each NAME with Qt 5's
// QNetworkAccessManager (ftp:// is supported up to Qt 5) into OUT_DIR/NAME, one after the
// other, as a Qt client of the demo FTP server would. Exits 1 on the first QNetworkReply error
// (its error string on stderr), 2 on bad usage or a local file error. Headless: QCoreApplication.
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QStringList>
#include <QUrl>
#include <cstdio>
#include <functional>

int main(int argc, char **argv) {
  QCoreApplication app(argc, argv);
  QStringList args = app.arguments();
  if (args.size() < 4) {
    std::fprintf(stderr, "usage: ftp_get BASE_URL OUT_DIR NAME...\n");
    return 2;
  }
  const QUrl base(args.at(1));
  const QDir out(args.at(2));
  const QStringList names = args.mid(3);
  if (!base.isValid() || base.scheme() != QLatin1String("ftp")) {
    std::fprintf(stderr, "not an ftp:// URL: %s\n", qPrintable(args.at(1)));
    return 2;
  }

  QNetworkAccessManager manager;
  int next = 0;
  // Sequential gets: the next request starts when the previous reply has finished, so the
  // program never holds more than one login on the server.
  std::function<void()> fetch = [&]() {
    if (next == names.size()) {
      app.exit(0);
      return;
    }
    const QString name = names.at(next++);
    QUrl url = base;
    url.setPath(base.path() + name);
    QNetworkReply *reply = manager.get(QNetworkRequest(url));
    QObject::connect(reply, &QNetworkReply::finished, [&, reply, name]() {
      reply->deleteLater();
      if (reply->error() != QNetworkReply::NoError) {
        std::fprintf(stderr, "%s: QNetworkReply error %d: %s\n", qPrintable(name),
                     int(reply->error()), qPrintable(reply->errorString()));
        app.exit(1);
        return;
      }
      QFile file(out.filePath(name));
      const QByteArray body = reply->readAll();
      if (!file.open(QIODevice::WriteOnly) || file.write(body) != body.size()) {
        std::fprintf(stderr, "%s: cannot write %s\n", qPrintable(name),
                     qPrintable(file.fileName()));
        app.exit(2);
        return;
      }
      file.close();
      std::printf("%s %d\n", qPrintable(name), int(body.size()));
      std::fflush(stdout);
      fetch();
    });
  };
  QMetaObject::invokeMethod(&app, fetch, Qt::QueuedConnection);
  return app.exec();
}
