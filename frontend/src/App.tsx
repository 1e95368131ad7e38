import { Route, Routes } from 'react-router';
import { AuthProvider } from './auth/AuthContext';
import { Invite } from './auth/Invite';
import { Login } from './auth/Login';
import { RequireAuth } from './auth/RequireAuth';
import { ResetComplete, ResetRequest } from './auth/Reset';
import { Certificates } from './certificates/Certificates';
import { Verify } from './certificates/Verify';
import { Layout } from './components/Layout';
import { NotFound } from './components/Pages';
import { MailList, MailMessage } from './dev/Mail';
import { Home } from './home/Home';
import { Course } from './learn/Course';
import { Courses } from './learn/Courses';
import { ModuleReader } from './learn/Module';
import { ScenarioPage } from './learn/Scenario';
import { Notifications } from './notifications/Notifications';
import { Settings as NotificationSettings } from './notifications/Settings';
import { Unsubscribe } from './notifications/Unsubscribe';
import { Ops } from './ops/Ops';
import { Invitations } from './org/Invitations';
import { People } from './org/People';
import { Matrix } from './org/Matrix';
import { PersonRecord } from './org/PersonRecord';
import { Report } from './org/Report';
import { Tokens } from './org/Tokens';
import { Assign } from './org/Assign';
import { Audit } from './org/Audit';
import { Teams, TeamPage } from './org/Teams';
import { MyTraining, Training } from './org/Training';
import { Settings } from './org/Settings';
import { MyData } from './privacy/MyData';
import { QuizPage } from './quiz/Quiz';
import { Debrief } from './roleplay/Debrief';
import { Portfolio } from './roleplay/Portfolio';
import { RoomPage } from './roleplay/room/RoomPage';
import { Schedule } from './roleplay/Schedule';
import { Session } from './roleplay/Session';
import { Sessions } from './roleplay/Sessions';

/** AppRoutes is every page of the app, on one screen. */
export function AppRoutes() {
  return (
    <Layout>
      <Routes>
        <Route
          path="/"
          element={
            <RequireAuth>
              <Home />
            </RequireAuth>
          }
        />
        <Route path="/login" element={<Login />} />
        <Route path="/reset" element={<ResetRequest />} />
        <Route path="/reset/:token" element={<ResetComplete />} />
        <Route path="/invite/:token" element={<Invite />} />
        <Route
          path="/org/people"
          element={
            <RequireAuth>
              <People />
            </RequireAuth>
          }
        />
        <Route
          path="/org/completion"
          element={
            <RequireAuth>
              <Matrix />
            </RequireAuth>
          }
        />
        <Route
          path="/org/people/:id/record"
          element={
            <RequireAuth>
              <PersonRecord />
            </RequireAuth>
          }
        />
        <Route
          path="/org/report/:slug"
          element={
            <RequireAuth>
              <Report />
            </RequireAuth>
          }
        />
        <Route
          path="/org/teams"
          element={
            <RequireAuth>
              <Teams />
            </RequireAuth>
          }
        />
        <Route
          path="/org/teams/:id"
          element={
            <RequireAuth>
              <TeamPage />
            </RequireAuth>
          }
        />
        <Route
          path="/org/assign"
          element={
            <RequireAuth role="org_admin">
              <Assign />
            </RequireAuth>
          }
        />
        <Route
          path="/org/audit"
          element={
            <RequireAuth role="org_admin">
              <Audit />
            </RequireAuth>
          }
        />
        <Route
          path="/org/training"
          element={
            <RequireAuth>
              <Training />
            </RequireAuth>
          }
        />
        <Route
          path="/me/training"
          element={
            <RequireAuth>
              <MyTraining />
            </RequireAuth>
          }
        />
        <Route
          path="/org/settings"
          element={
            <RequireAuth role="org_admin">
              <Settings />
            </RequireAuth>
          }
        />
        <Route
          path="/org/api-tokens"
          element={
            <RequireAuth role="org_admin">
              <Tokens />
            </RequireAuth>
          }
        />
        <Route
          path="/me/data"
          element={
            <RequireAuth>
              <MyData />
            </RequireAuth>
          }
        />
        <Route
          path="/org/invitations"
          element={
            <RequireAuth role="org_admin">
              <Invitations />
            </RequireAuth>
          }
        />
        <Route
          path="/learn"
          element={
            <RequireAuth>
              <Courses />
            </RequireAuth>
          }
        />
        <Route
          path="/learn/:slug"
          element={
            <RequireAuth>
              <Course />
            </RequireAuth>
          }
        />
        <Route
          path="/learn/:slug/:module"
          element={
            <RequireAuth>
              <ModuleReader />
            </RequireAuth>
          }
        />
        <Route
          path="/learn/:slug/quiz/:quizId"
          element={
            <RequireAuth>
              <QuizPage />
            </RequireAuth>
          }
        />
        <Route
          path="/learn/:slug/scenario/:scenarioId"
          element={
            <RequireAuth>
              <ScenarioPage />
            </RequireAuth>
          }
        />
        <Route
          path="/certificates"
          element={
            <RequireAuth>
              <Certificates />
            </RequireAuth>
          }
        />
        <Route
          path="/roleplay"
          element={
            <RequireAuth>
              <Sessions />
            </RequireAuth>
          }
        />
        <Route
          path="/roleplay/new"
          element={
            <RequireAuth>
              <Schedule />
            </RequireAuth>
          }
        />
        <Route
          path="/roleplay/portfolio"
          element={
            <RequireAuth>
              <Portfolio />
            </RequireAuth>
          }
        />
        <Route
          path="/roleplay/:id"
          element={
            <RequireAuth>
              <Session />
            </RequireAuth>
          }
        />
        <Route
          path="/roleplay/:id/debrief"
          element={
            <RequireAuth>
              <Debrief />
            </RequireAuth>
          }
        />
        <Route
          path="/roleplay/:id/room"
          element={
            <RequireAuth>
              <RoomPage />
            </RequireAuth>
          }
        />
        <Route
          path="/notifications"
          element={
            <RequireAuth>
              <Notifications />
            </RequireAuth>
          }
        />
        <Route
          path="/notifications/settings"
          element={
            <RequireAuth>
              <NotificationSettings />
            </RequireAuth>
          }
        />
        {/* Public: the one-click link in a reminder email works without signing in. */}
        <Route path="/unsubscribe/:token" element={<Unsubscribe />} />
        {/* Platform operators only; everyone else sees "page not found". */}
        <Route
          path="/ops"
          element={
            <RequireAuth>
              <Ops />
            </RequireAuth>
          }
        />
        {/* Public: reached from the QR code on a certificate, by anyone, signed in or not. */}
        <Route path="/verify/:code" element={<Verify />} />
        <Route path="/dev/mail" element={<MailList />} />
        <Route path="/dev/mail/:id" element={<MailMessage />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Layout>
  );
}

export function App() {
  return (
    <AuthProvider>
      <AppRoutes />
    </AuthProvider>
  );
}
