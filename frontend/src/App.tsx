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
import { Invitations } from './org/Invitations';
import { QuizPage } from './quiz/Quiz';

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
